"""Logic of the internalportal plugin: actions, auth functions and the dataset schema's
validators (each module picked up by a ``tk.blanket`` decorator in plugin.py)."""
