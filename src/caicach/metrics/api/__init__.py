"""The read API of the reform KPIs (issue 13, "The kpi command and the API"), under
``/api/v1/metrics/``: the registry, one KPI (with its breakdown, its frozen value and revisions
for a closed month), every KPI of an agency, and the dossiers behind a number."""
