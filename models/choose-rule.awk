# Chooses the bundled model's decision rule on single-label data (NADI 2021 dev), never on NADI 2024 dev2: the
# smallest relative threshold r on the grid 0.05, 0.10, …, 0.95 ("every dialect with at least r × the top dialect's
# probability") whose mean predicted-set size is at most max_set. Prints r on standard output and, on standard error,
# each r's mean set size and how often the gold country is in the set.
#   awk -v max_set=6 -f models/choose-rule.awk probabilities.tsv gold.tsv
# probabilities.tsv: `lahja predict -f tsv` output (text, the 18 probabilities, dialects); gold.tsv: the same texts,
# in the same order, as a one-hot table (text, 18 columns of 0/1 in the same dialect order).
BEGIN { FS = "\t"; if (max_set == "") max_set = 6 }
FNR == 1 {
  header = $0
  sub(/^[^\t]*\t/, "", header)
  if (NR == 1) { order = header; sub(/\tdialects$/, "", order) }
  else if (substr(header, 1, length(order)) != order) { print "choose-rule.awk: " FILENAME ": dialect columns differ from the probabilities'" > "/dev/stderr"; failed = 1; exit 2 }
  next
}
NR == FNR {
  if (NF < 19) { printf "choose-rule.awk: %s:%d: %d fields, expected at least 19\n", FILENAME, FNR, NF > "/dev/stderr"; failed = 1; exit 2 }
  n++
  top[n] = 0
  for (d = 1; d <= 18; d++) { p[n, d] = $(d + 1) + 0; if (p[n, d] > top[n]) top[n] = p[n, d] }
  next
}
{
  m++
  for (d = 1; d <= 18; d++) if ($(d + 1) == 1) gold[m] = d
  if (!(m in gold)) { printf "choose-rule.awk: %s:%d: no gold dialect\n", FILENAME, FNR > "/dev/stderr"; failed = 1; exit 2 }
}
END {
  if (failed) exit 2
  if (n == 0 || n != m) { printf "choose-rule.awk: %d probability rows but %d gold rows\n", n, m > "/dev/stderr"; failed = 1; exit 2 }
  for (k = 1; k <= 19; k++) {
    r = k / 20
    size = 0; hit = 0
    for (i = 1; i <= n; i++) {
      for (d = 1; d <= 18; d++) if (p[i, d] >= r * top[i]) { size++; if (d == gold[i]) hit++ }
    }
    printf "choose-rule.awk: r %.2f: mean set size %.2f, gold in set %.2f %%\n", r, size / n, 100 * hit / n > "/dev/stderr"
    if (size / n <= max_set) { printf "%.2f\n", r; exit 0 }
  }
  print "choose-rule.awk: no relative threshold up to 0.95 gives a mean set of at most " max_set > "/dev/stderr"
  exit 1
}
