"""Demo data (翠湖花园 Cuihu Garden) and its idempotent loader."""
