"""The Litestar HTTP API of Tollgate (PRODUCT.md section 7)."""
