"""Working-day calendars: official holidays, swapped days and due-date rules."""
