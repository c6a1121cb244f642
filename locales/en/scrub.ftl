### English. Metadata scrubbing of uploads (src/intake/scrub, src/web/form.rs, the desk and the CLI).

scrub-cannot-be-cleaned = this file is damaged or unusual, so its metadata (location, camera, time, author) cannot be removed safely; save it again (a photo as JPG or PNG, a document as PDF; a password-protected or damaged PDF: print it to a new PDF) and send it again
scrub-heic-or-video = HEIC photos and videos are not accepted because their metadata (location, time, device) cannot be removed; convert the photo to JPG (or send a screenshot), and for a video send screenshots or describe what it shows
scrub-not-cleaned = metadata not removed

## Retention (src/intake/retention.rs, `wbs cases`).
retention-deleted-total = { $n } case(s) deleted under the retention rule:
retention-rule-closed = closed longer than the retention period
retention-rule-never-taken-up = never taken up
