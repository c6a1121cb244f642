### English. Links to the help page (templates/bantuan.html) from the form, the receipt and /pantau.

help-which-code = Which code do I keep?
help-lost-receipt = If the receipt code is lost
help-remove-metadata = How to remove location and hidden data from files
help-what-team-sees = What the team sees of a file (including its name)
help-new-tab = opens in a new tab
