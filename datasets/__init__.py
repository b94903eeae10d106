"""Datasets: uploaded tables, their versions, features and qualities, ingested by workers."""
