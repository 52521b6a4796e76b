"""Periodic reports of the reform plans (issue 15, "Periodic reports"; glossary ``Report``):
duties and their due dates, reports pre-filled with live figures, the submit / return /
approve flow with kept versions, reporting completeness and timeliness, Word and PDF export."""
