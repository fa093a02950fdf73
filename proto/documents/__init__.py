"""Documents: the streaming intake and schema validation (plain Python, no cherrypy)."""
