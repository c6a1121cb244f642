# Batas muatan (docs/design.md §11): kasus penuh, disk hampir penuh.
limits-case-full = Kasus ini sudah mencapai batas jumlah pesan, jadi pesan Anda belum tersimpan. Silakan hubungi kantor melalui saluran lain.
limits-disk-full = Ruang penyimpanan server hampir habis, jadi kiriman Anda belum tersimpan. Silakan coba lagi nanti; tidak ada laporan tersimpan yang hilang.
limits-documents-busy = Server sedang membersihkan banyak dokumen lain (PDF, Word, Excel, PowerPoint, OpenDocument), jadi berkas ini belum diterima. Silakan pilih berkas ini lagi dan kirim beberapa menit lagi.
