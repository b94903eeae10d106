"""Tests of the website (frontend/)."""
