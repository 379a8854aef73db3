"""Text analysis shared by the rules: dates, and the names and formats they are written with."""
