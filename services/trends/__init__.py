"""The trends service (PRODUCT.md section 11): the trend radar, event-sourced."""
