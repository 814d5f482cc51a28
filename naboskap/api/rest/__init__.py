"""Naboskap's REST API, `/api/v1/` (issue 23): Django REST framework views over the domain
apps' selectors and services, described by an OpenAPI 3.1 schema (drf-spectacular)."""
