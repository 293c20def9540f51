"""The console's views, one module per area (parse → gate → service/selector → render)."""
