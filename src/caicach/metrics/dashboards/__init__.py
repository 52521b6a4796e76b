"""The reform dashboards (issue 14): the province overview, the agency pages, the leader's home
summary and the what-if, from the rollups (``metrics.compute`` / ``metrics.index766``)."""
