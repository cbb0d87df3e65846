#!/usr/bin/env bash
# Synthesize a quick "music-like" target/reference pair with sox (no external audio).
#   target    : 120 BPM, C major, soft triangle pads, low-passed (dull), quiet (~ -24 LUFS)
#   reference : 125 BPM, D minor, sawtooth pads + more hats, treble-boosted, compressed, loud (~ -10 LUFS)
# Both: 44.1 kHz, stereo, 24-bit WAV. Song form (3:00): intro / verse / breakdown / chorus / outro.
# Derived length: 30 s (excerpt 1:00-1:30). (The shared original also writes a 10-minute
# loop for cost-vs-length timing; the matching bench needs only 3 min and 30 s.)
#
# usage: make_synth_pair.sh OUTDIR
# needs: sox, ffmpeg (ffmpeg only for the LUFS report at the end)
set -euo pipefail
OUT=${1:?usage: make_synth_pair.sh OUTDIR}
mkdir -p "$OUT"
W=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "workdir: $W" || trap 'rm -rf "$W"' EXIT
SR=44100
S="sox -R -q -V1"  # -R: repeatable (fixed dither seed), so every build is the same audio

# tone NAME DUR WAVE F1 F2 F3 : 3-note chord, mono, short fades
chord() {
  local name=$1 dur=$2 wave=$3 f1=$4 f2=$5 f3=$6
  $S -r $SR -c 3 -n -c 1 "$W/$name" synth "$dur" "$wave" "$f1" "$wave" "$f2" "$wave" "$f3" \
     remix - fade t 0.05 "$dur" 0.3 gain -n -12
}

# song PREFIX BEAT WAVE LPF|none "c1a c1b c1c c2a ..." "b1 b2 b3 b4" HATS_PER_BEAT
song() {
  local P=$1 BEAT=$2 WAVE=$3 LPF=$4 CHORDS=($5) BASS=($6) HPB=$7
  local BAR; BAR=$(echo "$BEAT*4" | bc -l)
  # --- 4-bar pattern stems (mono) ---
  # pads, L and R slightly detuned -> natural stereo width
  local parts_l=() parts_r=()
  for i in 0 1 2 3; do
    local a=${CHORDS[$((i*3))]} b=${CHORDS[$((i*3+1))]} c=${CHORDS[$((i*3+2))]}
    chord "${P}padL$i.wav" "$BAR" "$WAVE" "$a" "$b" "$c"
    chord "${P}padR$i.wav" "$BAR" "$WAVE" "$(echo "$a*1.003" | bc -l)" "$(echo "$b*0.997" | bc -l)" "$(echo "$c*1.002" | bc -l)"
    parts_l+=("$W/${P}padL$i.wav"); parts_r+=("$W/${P}padR$i.wav")
  done
  $S "${parts_l[@]}" "$W/${P}padL.wav"
  $S "${parts_r[@]}" "$W/${P}padR.wav"
  # bass: 8th notes of the root, saw, low-passed
  local NOTE; NOTE=$(echo "$BEAT/2" | bc -l)
  local bparts=()
  for i in 0 1 2 3; do
    $S -n -r $SR -c 1 "$W/${P}bn$i.wav" synth "$NOTE" sawtooth "${BASS[$i]}" fade t 0.005 "$NOTE" 0.08 lowpass 600 gain -n -6
    $S "$W/${P}bn$i.wav" "$W/${P}bass$i.wav" repeat 7
    bparts+=("$W/${P}bass$i.wav")
  done
  $S "${bparts[@]}" "$W/${P}bass.wav"
  # kick: pitch sweep 130->42 Hz with exponential-ish decay, one per beat
  $S -n -r $SR -c 1 "$W/${P}k1.wav" synth "$BEAT" sine 130:42 fade q 0.002 "$BEAT" "$(echo "$BEAT*0.8" | bc -l)" gain -n -1
  $S "$W/${P}k1.wav" "$W/${P}kick.wav" repeat 15
  # snare: pink-noise burst on beats 2 and 4
  $S -n -r $SR -c 1 "$W/${P}sn.wav" synth 0.18 pinknoise fade q 0.001 0.18 0.16 highpass 200 gain -n -4 \
     pad "$BEAT" "$(echo "$BEAT-0.18" | bc -l)"
  $S "$W/${P}sn.wav" "$W/${P}snare.wav" repeat 7
  # hats: short high-passed white-noise ticks, HPB per beat
  local HT; HT=$(echo "$BEAT/$HPB" | bc -l)
  $S -n -r $SR -c 1 "$W/${P}h1.wav" synth 0.03 whitenoise fade q 0.001 0.03 0.025 highpass 7000 gain -n -10 \
     pad 0 "$(echo "$HT-0.03" | bc -l)"
  $S "$W/${P}h1.wav" "$W/${P}hats.wav" repeat $((16*HPB-1))
  # --- stereo mixes of one 4-bar pattern ---
  $S -M "$W/${P}padL.wav" "$W/${P}padR.wav" "$W/${P}pad2.wav"
  $S "$W/${P}bass.wav"  "$W/${P}bass2.wav"  remix 1 1
  $S "$W/${P}kick.wav"  "$W/${P}kick2.wav"  remix 1 1
  $S "$W/${P}snare.wav" "$W/${P}snare2.wav" remix 1v0.9 1v0.7
  $S "$W/${P}hats.wav"  "$W/${P}hats2.wav"  remix 1v0.5 1v0.9
  # full = everything; sparse = pad + bass (quieter); intro = pad + hats
  $S -m -v 0.5 "$W/${P}pad2.wav" -v 0.35 "$W/${P}bass2.wav" -v 0.4 "$W/${P}kick2.wav" \
        -v 0.35 "$W/${P}snare2.wav" -v 0.25 "$W/${P}hats2.wav" "$W/${P}full.wav"
  $S -m -v 0.35 "$W/${P}pad2.wav" -v 0.25 "$W/${P}bass2.wav" "$W/${P}sparse.wav"
  $S -m -v 0.3 "$W/${P}pad2.wav" -v 0.2 "$W/${P}hats2.wav" "$W/${P}intro.wav"
  # --- song form, trimmed to exactly 180 s ---
  $S "$W/${P}intro.wav"  "$W/${P}sec1.wav" repeat 2          # ~ 24 s
  $S "$W/${P}full.wav"   "$W/${P}sec2.wav" repeat 6          # ~ 56 s
  $S "$W/${P}sparse.wav" "$W/${P}sec3.wav" repeat 1          # ~ 16 s
  $S "$W/${P}full.wav"   "$W/${P}sec4.wav" repeat 8 gain 1.5 # ~ 72 s, a bit hotter
  $S "$W/${P}intro.wav"  "$W/${P}sec5.wav" repeat 2
  $S "$W/${P}sec1.wav" "$W/${P}sec2.wav" "$W/${P}sec3.wav" "$W/${P}sec4.wav" "$W/${P}sec5.wav" \
     "$W/${P}song_raw.wav" trim 0 180 fade t 0 180 8
  if [ "$LPF" != none ]; then
    $S "$W/${P}song_raw.wav" "$W/${P}song_col.wav" lowpass "$LPF" lowpass "$LPF"
  else
    cp "$W/${P}song_raw.wav" "$W/${P}song_col.wav"
  fi
}

# integrated loudness; ffmpeg 5.1 prints a bogus first "Summary" (-70 LUFS), so take the LAST one
lufs() { ffmpeg -hide_banner -nostats -i "$1" -filter_complex ebur128 -f null - 2>&1 | awk '/Integrated loudness:/{f=1; next} f&&/I:/{v=$2; f=0} END{print v}'; }

# ---------- target: quiet, dull ----------
song t 0.5 triangle 3500 \
  "261.63 329.63 392.00  220.00 261.63 329.63  174.61 220.00 261.63  196.00 246.94 293.66" \
  "65.41 55.00 43.65 49.00" 2
# normalize to ~ -24 LUFS (one measure + correct)
L=$(lufs "$W/tsong_col.wav"); G=$(echo "-24 - ($L)" | bc -l)
$S "$W/tsong_col.wav" -b 24 "$OUT/target_3m.wav" gain "$G"

# ---------- reference: loud, bright, compressed ----------
song r 0.48 sawtooth none \
  "293.66 349.23 440.00  233.08 293.66 349.23  349.23 440.00 523.25  261.63 329.63 392.00" \
  "73.42 58.27 87.31 65.41" 4
# brighten (+6 dB shelf at 6 kHz, presence), compress hard, then loudness + peak limit
$S "$W/rsong_col.wav" "$W/rsong_proc.wav" gain -n -12 treble +6 6000 equalizer 3000 1q +3 \
   compand 0.003,0.08 -60,-60,-30,-14,-20,-9,0,-4 -6 -60 0.003 gain -n -1
for pass in 1 2 3; do
  L=$(lufs "$W/rsong_proc.wav"); G=$(echo "-9.3 - ($L)" | bc -l)  # final -0.5 dBFS peak trim lands near -10
  $S "$W/rsong_proc.wav" "$W/rsong_next.wav" gain "$G" compand 0.001,0.05 -20,-20,-6,-6,0,-1.5 0 -60 0.002 gain -l 0
  mv "$W/rsong_next.wav" "$W/rsong_proc.wav"
done
$S "$W/rsong_proc.wav" -b 24 "$OUT/reference_3m.wav" gain -n -0.5

# ---------- other lengths ----------
for k in target reference; do
  $S "$OUT/${k}_3m.wav" "$OUT/${k}_30s.wav" trim 60 30
done

for f in "$OUT"/*.wav; do echo "$(basename "$f") $(soxi -D "$f")s $(lufs "$f") LUFS"; done
