### English. Case statuses, reporter kinds and deadlines (src/intake/status.rs, report.rs, deadline.rs).

status-diterima = Received
status-diverifikasi = Verified
status-perlu-dilengkapi = Needs more information
status-ditindaklanjuti = Under investigation
status-diteruskan = Referred
status-selesai = Closed
reporter-kind-staff = DPMPTSP staff
reporter-kind-public = Member of the public
deadline-acknowledge = To be verified by
deadline-feedback = To be taken up by
deadline-settle = To be settled by
