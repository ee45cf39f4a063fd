# What Django's own fa formats leave out; everything else comes from django/conf/locale/fa.
# Thousands in groups of three ("1,234.5" with force_grouping: the separators of Latin digits).
NUMBER_GROUPING = 3
