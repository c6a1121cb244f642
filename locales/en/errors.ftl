### English. Error pages (src/web/error.rs) and the JSON APIs' field errors (src/web/api.rs, followup_api.rs).

error-not-found-title = Page not found
error-bad-form-title = The form could not be read
error-cross-site-title = Request refused
error-busy-title = Busy
error-unavailable-title = The report could not be stored
error-not-found-message = This address does not exist. Go back to the home page to report or to read about the WBS.
error-bad-form-message = This was not sent by our form. Open the report page again and send it from there.
error-cross-site-message = This form was sent from another site, so it was refused for your safety. Open this page directly at the WBS address.
error-busy-message = Many reports are being processed. Nothing from this submission was stored. Wait a few seconds and send again (your browser's back button keeps what you typed).
error-unavailable-message = A storage fault occurred and your report was NOT stored; no receipt was made. Please try again shortly.
api-unknown-field = unknown field
api-required = required
api-wrong-type-of-value = wrong type of value
api-not-utf-8-text = not UTF-8 text
api-not-valid-json = not valid JSON
api-send-as-application-json = send as application/json
api-too-large-at-most = too large (at most 256 KiB)
api-could-not-be-read = could not be read
api-report-was-not-stored = the report was not stored; try again shortly
api-unknown-receipt-code = unknown receipt code
api-not-valid-json-with = not valid JSON with the expected fields
api-page-before-invalid = must be a positive whole number: the `before` of a previous answer's `older` or `newer`
api-one-time-receipt-code = one-time receipt code: log in on the Follow-up page first to get a new receipt code
api-busy-try-again = busy; try again
api-storage-fault-try-again = storage fault; try again
api-message-was-not-stored = the message was not stored; try again
