# Mixes each row's gold country into the teacher's soft targets of a `lahja pseudo-label` TSV:
#   p_d := (1 - alpha) * p_d + alpha * [d == gold]
# so the student learns the teacher's multi-label probabilities and the annotated country together. The gold country
# is also added to the 0/1 label columns (they only drive the curriculum). Rows without a gold country keep their
# targets. Stops with a message naming the line on a row whose field count differs from the header's.
#   awk -v alpha=0.5 -f models/mix-gold.awk labels.tsv > mixed.tsv
BEGIN {
  FS = OFS = "\t"
  if (alpha == "" || alpha < 0 || alpha > 1) { print "mix-gold.awk: set -v alpha=A with 0 <= A <= 1" > "/dev/stderr"; exit 2 }
}
NR == 1 {
  fields = NF
  for (i = 1; i <= NF; i++) {
    column[$i] = i
    if ($i ~ /^p_/) { name = substr($i, 3); prob[name] = i; label[name] = 0; count++ }
  }
  if (!("gold" in column) || count != 18) { print "mix-gold.awk: " FILENAME ": needs a gold column and 18 p_<dialect> columns" > "/dev/stderr"; exit 2 }
  for (name in prob) {
    if (!(name in column)) { print "mix-gold.awk: " FILENAME ": no label column " name > "/dev/stderr"; exit 2 }
    label[name] = column[name]
  }
  print
  next
}
{
  if (NF != fields) { printf "mix-gold.awk: %s:%d: %d fields, the header has %d\n", FILENAME, NR, NF, fields > "/dev/stderr"; exit 2 }
  gold = $column["gold"]
  if (gold != "" && !(gold in prob)) { printf "mix-gold.awk: %s:%d: gold '%s' is not a dialect column\n", FILENAME, NR, gold > "/dev/stderr"; exit 2 }
  if (gold != "") {
    for (name in prob) $prob[name] = sprintf("%.6g", (1 - alpha) * $prob[name] + alpha * (name == gold))
    $label[gold] = 1
  }
  print
}
