"""Layout readers: raw text → the same small table model, whatever the layout."""
