"""Loco Clips interest ETL: the data generator and the helpers around the dbt project."""
