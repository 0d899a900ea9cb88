# SPDX-License-Identifier: Apache-2.0
# The data path's paired ratios from bench/report.py's data files: per metric, the A/B
# ratio (int / loc) and the A/A control (loc2 / loc), each pair a dot, the median with
# its 95% interval as a bar, the goal as a line.
# usage: gnuplot -e "outdir='bench/out'" bench/report.gp   -> outdir/report.png
if (!exists("outdir")) outdir = "bench/out"
set terminal pngcairo size 1200,600 font "DejaVu Sans,10"
set output outdir."/report.png"
set title "kshim data path on one 3-broker cluster: paired ratios, median with 95% interval (dots: one pair each)"
set logscale y
set yrange [0.5:2]
set ytics (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1, 1.05, 1.1, 1.25, 1.5, 2)
set grid ytics
set xrange [-0.6:4.6]
set key outside bottom center horizontal
set ylabel "ratio (throughput: higher is better; latency, CPU: lower is better)"
set style line 1 lc rgb "#1f77b4" pt 7 ps 0.5
set style line 2 lc rgb "#7f7f7f" pt 7 ps 0.5
# Dots spread across a small width so that equal ratios stay visible.
jitter(i, c) = i + c + 0.12 * (rand(0) - 0.5)
plot outdir."/plot_pairs.dat" using (stringcolumn(3) eq "ab" ? jitter($1, -0.18) : NaN):2 \
         with points ls 1 notitle, \
     "" using (stringcolumn(3) eq "aa" ? jitter($1, 0.18) : NaN):2 with points ls 2 notitle, \
     outdir."/plot_ratio.dat" using ($9 - 0.18):2:3:4:xtic(1) with yerrorbars lc rgb "#1f77b4" lw 2 pt 5 ps 1.2 \
         title "A/B: shim (int) ÷ localhost (loc)", \
     "" using ($9 + 0.18):5:6:7 with yerrorbars lc rgb "#444444" lw 2 pt 4 ps 1.2 \
         title "A/A: localhost ÷ localhost (noise floor)", \
     "" using 9:8:(0.4) with xerrorbars lc rgb "#d62728" lw 2 pt -1 title "goal"
