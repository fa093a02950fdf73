"""Database engine, migrations, session store and file store."""
