-- « SIGALE », an imaginary business application of the Ministry of Agriculture: what its
-- database holds, for the demo's SQL harvest source (demo/harvest.py runs this file into the
-- database `demo_app` of the project's PostgreSQL at each `make demo`; it is idempotent).
-- The comments are the application's own documentation: the harvester shows them on the
-- dataset (title, description) and in the data dictionary of the resource.
DROP TABLE IF EXISTS exploitations_bio;
CREATE TABLE exploitations_bio (
  siret          varchar(14) PRIMARY KEY,
  departement    varchar(3)  NOT NULL,
  commune_insee  varchar(5)  NOT NULL,
  surface_ha     numeric(9,2) NOT NULL,
  filiere        text        NOT NULL,
  conversion     date,
  certifiee      boolean     NOT NULL DEFAULT false
);
COMMENT ON TABLE exploitations_bio IS 'Exploitations agricoles engagées en agriculture biologique, par commune et filière (extraction de l''application SIGALE).';
COMMENT ON COLUMN exploitations_bio.siret IS 'SIRET de l''exploitation';
COMMENT ON COLUMN exploitations_bio.departement IS 'Département (code officiel géographique)';
COMMENT ON COLUMN exploitations_bio.commune_insee IS 'Commune du siège (code Insee)';
COMMENT ON COLUMN exploitations_bio.surface_ha IS 'Surface engagée, en hectares';
COMMENT ON COLUMN exploitations_bio.filiere IS 'Filière principale';
COMMENT ON COLUMN exploitations_bio.conversion IS 'Date de début de conversion';
COMMENT ON COLUMN exploitations_bio.certifiee IS 'Certification obtenue';
INSERT INTO exploitations_bio
SELECT lpad((10000000000000 + n * 7919)::text, 14, '0'),
       (ARRAY['29','35','22','56','49','44','85','72','53','61'])[1 + n % 10],
       (ARRAY['29019','35238','22278','56260','49007','44109','85191','72181','53130','61001'])[1 + n % 10],
       round((5 + (n * 37) % 180 + (n % 7) * 0.25)::numeric, 2),
       (ARRAY['Grandes cultures','Maraîchage','Élevage bovin lait','Viticulture','Arboriculture','Élevage ovin'])[1 + n % 6],
       date '2015-01-01' + (n * 13) % 3200,
       n % 4 <> 0
FROM generate_series(1, 1200) AS n;

DROP TABLE IF EXISTS aides_installation;
CREATE TABLE aides_installation (
  dossier        varchar(12) PRIMARY KEY,
  nir            varchar(15) NOT NULL,
  date_naissance date        NOT NULL,
  code_postal    varchar(5)  NOT NULL,
  montant_eur    integer     NOT NULL,
  decision       date        NOT NULL
);
COMMENT ON TABLE aides_installation IS 'Dotations jeunes agriculteurs accordées (SIGALE) : une ligne par dossier.';
COMMENT ON COLUMN aides_installation.nir IS 'Numéro d''inscription au répertoire du bénéficiaire (donnée personnelle)';
COMMENT ON COLUMN aides_installation.date_naissance IS 'Date de naissance du bénéficiaire (donnée personnelle)';
COMMENT ON COLUMN aides_installation.code_postal IS 'Code postal du bénéficiaire';
COMMENT ON COLUMN aides_installation.montant_eur IS 'Montant accordé, en euros';
COMMENT ON COLUMN aides_installation.decision IS 'Date de la décision';
INSERT INTO aides_installation
SELECT 'DJA-' || lpad(n::text, 6, '0'),
       (1 + n % 2)::text || lpad(((n * 104729) % 10000000000000)::text, 14, '0'),
       date '1985-01-01' + (n * 97) % 5000,
       (ARRAY['29200','35000','22000','56000','49000','44000','85000','72000','53000','61000'])[1 + n % 10],
       15000 + (n * 311) % 30000,
       date '2023-01-15' + (n * 3) % 600
FROM generate_series(1, 300) AS n;
