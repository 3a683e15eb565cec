"""Tollgate's services: one package per stage, plus the shared, pure gate logic."""
