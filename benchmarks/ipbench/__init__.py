"""ipbench: the benchmark harness of ckanext-internalportal (see benchmarks/README.md).

Modules:
  configs    registry of the configurations compared (name -> ini overrides)
  scenarios  registry of the measured requests (name -> function(client, ctx))
  datagen    deterministic synthetic French catalogue, and its loader (subprocess)
  worker     one configuration in its own process: index rebuild, then the scenarios
  common     paths, generated ini files, service checks, French errors
  stats      percentiles and summaries
  sysinfo    machine and versions recorded with the results
  harvest    run.py --harvest: the harvesters' throughput and memory, against pandas
  harvestdata     its sources: the ipbench_app PostgreSQL table, the folder of CSV files
  harvest_worker  one harvest measurement in a fresh process (peak RSS of its own)
"""
