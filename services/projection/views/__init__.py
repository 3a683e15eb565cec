"""Pure views: `project(row, event) -> row`, importing only `events`."""
