### English.
# The investigator's tools print each label in both languages, English first: "Category / Kategori:".
cli-anonymous = anonymous
cli-attachments = Attachments
cli-category = Category
cli-channel = Channel
cli-chronology = Chronology
cli-contact = Contact
cli-content = Content
cli-created = Created
cli-criteria = Criteria
cli-deadline = Deadline
cli-evidence = Evidence
cli-followup = Message from the reporter
cli-good-faith = Good faith
cli-identity = Identity
cli-internal-note = Internal note, investigators only
cli-name = Name
cli-new-key = New reporter key
cli-parties = Reported parties
cli-place = Place
cli-receipt-replaced = Receipt replaced
cli-reply = Message to the reporter
cli-reporter = Reporter
cli-status-history = Status history
cli-status-note = Note to the reporter
cli-text = Text
cli-time = Time
