"""django-tables2 tables: the dashboards' children and devices, the repairs list."""
