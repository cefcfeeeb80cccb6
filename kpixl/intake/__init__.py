"""Reading figures people send: returned workbooks and history files. Bad content is a Problem, never raised."""
