"""Everything dashboards and lists read: figures per area, devices in a scope, repairs."""
