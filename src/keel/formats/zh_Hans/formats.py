"""Chinese number formats for Keel: Django's, with amounts grouped by thousands and a comma
(1,140,000.00), as money is written in Chinese finance; Django's own has no separator."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
