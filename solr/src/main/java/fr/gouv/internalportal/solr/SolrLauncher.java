package fr.gouv.internalportal.solr;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;

/**
 * Serves a Solr home (solr.xml + cores) over HTTP on 127.0.0.1:PORT/solr with the embedded
 * Jetty runner of solr-test-framework. Usage: SolrLauncher SOLR_HOME PORT
 */
public final class SolrLauncher {
    private SolrLauncher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: SolrLauncher SOLR_HOME PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        if (!Files.isRegularFile(home.resolve("solr.xml"))) {
            System.err.println("no solr.xml in " + home);
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        JettyConfig config = JettyConfig.builder()
                .setPort(port)
                .setContext("/solr")
                .stopAtShutdown(true)
                .withPortRetryTime(0)
                .build();
        JettySolrRunner runner = new JettySolrRunner(home.toString(), config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.stop();
            } catch (Exception e) {
                System.err.println("stop failed: " + e);
            }
            stopped.countDown();
        }));
        try {
            runner.start();
        } catch (Exception e) {
            System.err.println("Solr could not start on 127.0.0.1:" + port + ": " + e);
            System.exit(1);
        }
        System.out.println("Solr ready at " + runner.getBaseUrl());
        stopped.await();
    }
}
