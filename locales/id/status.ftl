### Bahasa Indonesia (the fallback language). Case statuses, reporter kinds and deadlines (src/intake/status.rs, report.rs, deadline.rs).

status-diterima = Diterima
status-diverifikasi = Diverifikasi
status-perlu-dilengkapi = Perlu dilengkapi
status-ditindaklanjuti = Ditindaklanjuti
status-diteruskan = Diteruskan
status-selesai = Selesai
reporter-kind-staff = Pegawai DPMPTSP
reporter-kind-public = Masyarakat
deadline-acknowledge = Diverifikasi paling lambat
deadline-feedback = Ditindaklanjuti paling lambat
deadline-settle = Diselesaikan paling lambat
