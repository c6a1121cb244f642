set -e
OLD=/work/main/target-old/release/wbs
D=/tmp/oldgen; rm -rf $D; mkdir -p $D/keys
cd $D
$OLD serve --data $D/data --keys $D/keys --listen 127.0.0.1:18090 --desk-listen 127.0.0.1:18091 2>$D/server.log &
SP=$!
sleep 2
R=$(curl -s -X POST -H 'content-type: application/json' http://127.0.0.1:18090/api/v1/reports -d '{
 "reporter": {"kind": "public", "name": "Melati", "contact": "melati@example.org", "anonymous": false},
 "category": "PUNGLI",
 "chronology": "Petugas loket meminta uang tambahan Rp500.000 agar izin usaha cepat terbit. Data lama (format v1).",
 "parties": [{"name": "Budi", "position": "Staf", "unit": "Perizinan"}],
 "incident": {"when": "Maret 2026", "place": "Loket 2 DPMPTSP Kota Tarakan"},
 "evidence": "Kuitansi tanpa kop"}')
echo "$R"
RECEIPT=$(echo "$R" | python3 -c 'import sys,json;print(json.load(sys.stdin)["receipt"])')
CASE=$(echo "$R" | python3 -c 'import sys,json;print(json.load(sys.stdin)["case_id"])')
R2=$(curl -s -X POST -H 'content-type: application/json' http://127.0.0.1:18090/api/v1/reports -d '{
 "reporter": {"kind": "staff", "anonymous": true},
 "category": "GRATIFIKASI",
 "chronology": "Seorang pemohon memberi parsel kepada kepala seksi setelah izin terbit.",
 "parties": [{"name": "Tidak tahu", "position": "Kepala seksi", "unit": "Pelayanan"}],
 "incident": {"when": "Desember 2025", "place": "Kantor DPMPTSP"}}')
echo "$R2"
curl -s -X POST -H 'content-type: application/json' http://127.0.0.1:18090/api/v1/followup/messages -d "{\"receipt\":\"$RECEIPT\",\"body\":\"Tambahan: kejadian terulang minggu lalu.\"}"; echo
K=$D/data/demo-investigator.key
$OLD reply --server http://127.0.0.1:18091 --identity $K --keys $D/keys $CASE "Terima kasih. Kapan tepatnya kejadian itu?"
$OLD status --server http://127.0.0.1:18091 --identity $K --keys $D/keys $CASE perlu-dilengkapi --note "Mohon lengkapi nama petugas."
$OLD note --server http://127.0.0.1:18091 --identity $K --keys $D/keys $CASE "Cocokkan dengan jadwal piket loket 2."
$OLD status --server http://127.0.0.1:18091 --identity $K --keys $D/keys $CASE diverifikasi
curl -s -X POST -H 'content-type: application/json' http://127.0.0.1:18090/api/v1/followup/messages -d "{\"receipt\":\"$RECEIPT\",\"body\":\"Namanya Budi, loket 2.\"}"; echo
kill $SP; wait $SP || true
$OLD export --data $D/data --out $D/export
ls -R $D/export | head -30
