# Throughput and latency by mode from bench/report.py's data files.
# usage: gnuplot -e "outdir='bench/out'" bench/report.gp   -> outdir/report.png
if (!exists("outdir")) outdir = "bench/out"
set terminal pngcairo size 1200,500 font "DejaVu Sans,10"
set output outdir."/report.png"
set multiplot layout 1,2 title "kshim data path: 3 brokers, internal names through the shim vs --advertise localhost (median, bars min-max)"
set style data histogram
set style histogram errorbars gap 2 lw 1
set style fill solid 0.6 border -1
set boxwidth 0.9
set grid ytics
set key top left
set yrange [0:*]
set title "throughput, 100-byte messages, acks=all"
set ylabel "thousand messages/s"
plot outdir."/plot_tp.dat" using 2:3:4:xtic(1) title "produce", \
     "" using 5:6:7 title "consume"
set title "produce-to-consume latency at a fixed rate"
set ylabel "ms"
plot outdir."/plot_lat.dat" using 2:3:4:xtic(1) title "p50", \
     "" using 5:6:7 title "p99"
unset multiplot
