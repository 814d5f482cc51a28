"""The smallest group a figure about people may describe.

The survey's results, the dashboards and the status reports hide a figure drawn from fewer
answers than this, and the privacy record states the same number: one constant for all.
"""

MIN_GROUP_SIZE = 5
