"""Template mappers: table rows → contract `statistics` rows, one module per template family."""
