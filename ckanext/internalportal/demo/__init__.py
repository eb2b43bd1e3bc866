"""French demo content: ministries, datasets and their files, read from data files in data/."""
