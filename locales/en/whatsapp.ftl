### English. The WhatsApp dialogue (src/whatsapp/texts.rs, prompts.rs). Limits: interactive bodies 1024 characters, button titles 20, list row titles 24 (tested in texts.rs).

wa-site = the WBS web site
wa-not-stored-yet = Your message was not stored: please agree to the terms below first, then send it again.
wa-no-report-running = No report is in progress.
wa-consent-thanks = Thank you. Answer the questions one at a time; each answer is encrypted at once.
wa-category-prompt = 1/8 — Choose the kind of wrongdoing you want to report.
wa-category-more-prompt = 1/8 — More categories:
wa-category-button = Choose category
wa-category-section = Categories
wa-choose-from-list = Choose one from the list (tap the button below), or type its number (1–13).
wa-kind-prompt = 2/8 — Are you reporting as a member of the public or as staff?
wa-kind-public = Member of public
wa-next-button = Next
wa-add-person = Add a person
wa-part-entry = Entry
wa-when-prompt = 5/8 — When did it happen? Give the date or an estimate, or *don't know* (criterion 4: time and place).
wa-place-prompt = 6/8 — Where did it happen? (for example: counter 2 of the public service hall). You may also send a named WhatsApp location, or write *don't know*.
wa-name-prompt = 7/8 — What is your name? A pseudonym is allowed. In our system only the WBS team can read it; Meta (WhatsApp), which carries this chat, can read it too (criterion 1: reporter identity). Without a name the report is still accepted but may not be followed up.
wa-anon-button = No name
wa-anonymous-note = You chose to give no name: the report misses criterion 1 and may not be followed up. (Meta still sees your number.)
wa-evidence-ack = Evidence note received and encrypted. Send more or tap Next.
wa-contact-prompt = May the WBS team contact you on this WhatsApp number? If yes, your number goes into the encrypted report (in our system only the team can read it). WhatsApp lets the team write freely only within 24 hours of your last message; after that it can only send a short notice "there is news on your report" (never its content), if the office has set that up. If not, follow the report on the web with the receipt code.
wa-contact-yes = Yes
wa-no = No
wa-use-buttons = Please choose with the buttons below.
wa-not-repeated = (received; not shown again)
wa-summary-head = *Summary of your report*
wa-summary-foot = By tapping *Send report* you declare that you report in good faith and to the best of your knowledge.
wa-summary-restarted = Some answers are not shown again because the service restarted; they remain stored, encrypted, and will be sent.
wa-change = Change
wa-cancel = Cancel
wa-yes = Yes
wa-change-prompt = Which part do you want to change? Its earlier answer is deleted and you answer again.
wa-change-button = Choose part
wa-files-label = Delete evidence files
wa-store-failed = Sorry, a fault occurred and the report was NOT stored yet. Your answers are still here: tap Send report again shortly.
wa-cancelled = The report was cancelled. Everything you sent in this conversation was deleted from our server. Send any message to start again.
wa-help = *Help*
    • CANCEL — cancel the report and delete every answer
    • STATUS — see a report's status by its case number (WBS-…)
    • ENGLISH / INDONESIA — change language
    • HELP — this message
    Reports and the team's replies are read on the web with the receipt code, never over WhatsApp.
wa-status-ask = Send your case number (for example WBS-ABCD-EFGH-JKMN). Never send your receipt code in this chat.
wa-status-unknown = That case number was not found. Check it (WBS-XXXX-XXXX-XXXX).
wa-status-foot = Messages from the team are read on the Follow-up page with the receipt code.
wa-unsupported = Sorry, we cannot accept this kind of message (stickers, contacts). Please write text, or send a photo (JPG/PNG) or a document (PDF/Office).
wa-resumed = Your conversation continues. The answers you already sent remain stored, encrypted.
wa-late-note = One of your messages arrived late; it was stored, encrypted, as an additional note to the report.
wa-notes-full = This report already has the most notes it can hold, so this message was not stored. Go on to the next step; more can be sent on the Follow-up page once the report is stored.
wa-before-consent = A message you sent before agreeing to the terms arrived late and was not stored. Send it again if needed.
wa-busy = The service is busy; this file was not stored. Please send it again shortly.
wa-summary-no-name = (no name)
wa-summary-files = file(s)
wa-notice = *WBS WhatsApp Center, DPMPTSP Tarakan City*
    Before you report, please read:
    • This channel is *confidential, not anonymous*: Meta (WhatsApp) can see your number and the messages. To report anonymously, use the web form: { $form }
    • Every answer is encrypted for the WBS team as soon as it arrives. We do not store your WhatsApp number or profile name; your number goes into the encrypted report only if you agree to be contacted on WhatsApp.
    • Reporters acting in good faith are protected (Law 13/2006 as amended by Law 31/2014, LPSK). Personal data is handled under Law 27/2022.
    • Commands at any time: CANCEL, HELP, STATUS.
    Do you agree and want to continue?
wa-consent-yes = I agree
wa-consent-no = I do not agree
wa-other-language = Bahasa Indonesia
wa-declined = All right. Nothing was stored. You can report anonymously through the web form: { $form }
wa-more-title = More categories…
wa-more-description = Show 4 more categories
wa-back-title = ‹ Back
wa-back-description = Back to the first categories
wa-chronology-prompt = 3/8 — Describe what happened: what, how, and who was involved (criterion 2: a description of events). You may use several messages; at least { $min } characters.
wa-chronology-ack = Description received and encrypted ({ $parts } message(s)). Add more if needed, or tap Next.
wa-party-prompt = 4/8 — Who is being reported (person { $n })? Write their *name*, *position* and *unit*, each on its own line (or separated by commas). Example:
    Budi Santoso
    Licensing officer
    Services division
    (criterion 3: the persons reported)
    Don't know the position or unit? Write *don't know* on its line.
wa-party-ack = Person { $n } recorded and encrypted. Was anyone else involved?
wa-party-full = At most { $max } persons. Mention others in the description or the evidence notes.
wa-evidence-prompt = 8/8 — Evidence: send photos (JPG/PNG) or documents (PDF, Word, Excel), at most { $max_files } files and { $max_mb } MB in all; describe the evidence in text if you like. Tap Next when done or if there is none.
wa-summary-category = Category
wa-summary-reporter = Reporter
wa-summary-chronology = Description
wa-summary-parties = Persons reported
wa-summary-when = When
wa-summary-place = Where
wa-summary-name = Name
wa-summary-evidence = Evidence
wa-summary-contact = WhatsApp contact
wa-wait-for-files = { $n } file(s) are still being processed. Wait for the confirmation, then tap Send report again.
wa-stored = ✅ Your report is *stored and encrypted*.
    Case number: *{ $case_id }*
    ONE-TIME receipt code: *{ $receipt }*

    Open { $pantau } and enter this receipt code. At your first login it is replaced by a *new receipt code shown only on the web page*: keep that new code safe. After that the code in this chat no longer works — delete this message.
    There you can read the team's questions and answer them. In this chat, send STATUS and the case number to see the status.
    Reports are verified by the team within { $days } working days.
wa-status-head = Status of case { $case_id }:
wa-lost-files = { $n } file(s) you sent before the interruption were not stored: send them again if needed.
wa-file-stored = 📎 { $name } received, checked and encrypted ({ $count } evidence file(s)).
wa-file-too-large = 📎 { $name } was not stored: too large. This report has { $max_mb } MB left (photos at most 5 MB).
wa-file-wrong-type = 📎 { $name } was not stored: this file type is not accepted. Send JPG/PNG photos or PDF/Word/Excel documents.
wa-file-damaged = 📎 { $name } was not stored: it was damaged in transfer. Please send it again.
wa-file-failed = 📎 { $name } could not be fetched from WhatsApp. Please send it again shortly.
wa-too-many-files = At most { $max } evidence files per report; this file was not stored.
# In the sealed report, both languages: "[Pesan yang tiba tidak berurutan / message that arrived out of order, <day>]".
wa-late-note-marker = message that arrived out of order

# Issue 12: edits, voice and video, location pins, command-like answers.
wa-edited = An edited message (or a kind of message WhatsApp does not pass on to us, such as a poll) does not reach us: the change is *not* saved. Send the correction as a new message.
wa-audio-video = We do not accept voice notes or videos: your voice can identify you, and we cannot remove the hidden data in a video. Please write what it says, or send a photo or a screenshot.
wa-place-elsewhere = A location is only used for the question "where did it happen". Please answer this question in text.
wa-place-unnamed = This location has no name, and we do not keep coordinates. Please write the name of the place (for example: counter 2, Public Service Mall).
wa-command-as-answer = Your message was saved as your answer. If you meant the { $command } command, send only the word *{ $command }*.
wa-party-unknown-hint = Don't know the position or unit? Write *don't know* on its line, for example: Mr Budi, counter 2 officer, don't know
wa-history-warning = Note: this chat's history (and its backup on Google Drive/iCloud) holds your whole report on this phone. Once the case number and receipt code are somewhere safe, delete this chat: open the chat → ⋮ / contact name → Delete chat; check the Chat backup settings too.
wa-cli-chat-undelivered = Chat receipt not delivered
wa-stale-button = That button belongs to an earlier question and was not used. Please use the buttons of the last message:
