"""anywidget views: traits only, no heavy compute in observers."""
