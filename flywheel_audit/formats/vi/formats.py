# What Django's own vi formats leave out; everything else comes from django/conf/locale/vi.
# Thousands in groups of three ("1.234,5" with force_grouping; Django's separators: "." and ",").
NUMBER_GROUPING = 3
