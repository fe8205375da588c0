"""Chinese number formats for Keel: amounts grouped by thousands with a comma (1,140,000.00),
as money is written in Chinese finance; Django's own zh-Hans formats group by nothing. Every
other format falls through to Django's module for the language."""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
