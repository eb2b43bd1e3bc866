"""ipbench: the benchmark harness of ckanext-internalportal (see benchmarks/README.md).

Modules:
  configs    registry of the configurations compared (name -> ini overrides)
  scenarios  registry of the measured requests (name -> function(client, ctx))
  datagen    deterministic synthetic French catalogue, and its loader (subprocess)
  worker     one configuration in its own process: index rebuild, then the scenarios
  common     paths, generated ini files, service checks, French errors
  stats      percentiles and summaries
  sysinfo    machine and versions recorded with the results
"""
