// The lines only one side of a comparison has, by a longest-common-subsequence diff: what golden
// and native-comparison tests print when a guest's output differs.

/** How the two kinds of line are introduced: "- line 3: ..." and "+ ..." by default. */
export interface DiffLabels {
  removed: string;
  added: string;
}

const PLAIN: DiffLabels = { removed: "- line", added: "+" };

/**
 * The differing lines, as `${removed} N: "text"` (N is the expected line number) and
 * `${added} "text"`; at most `limit` of them.
 */
export function lineDifferences(
  expected: string[],
  actual: string[],
  limit: number,
  labels: DiffLabels = PLAIN,
): string[] {
  const cols = actual.length + 1;
  const common = new Uint32Array((expected.length + 1) * cols);
  for (let i = expected.length - 1; i >= 0; i--) {
    for (let j = actual.length - 1; j >= 0; j--) {
      common[i * cols + j] = expected[i] === actual[j]
        ? common[(i + 1) * cols + j + 1] + 1
        : Math.max(common[(i + 1) * cols + j], common[i * cols + j + 1]);
    }
  }
  const found: string[] = [];
  let i = 0;
  let j = 0;
  while ((i < expected.length || j < actual.length) && found.length < limit) {
    if (i < expected.length && j < actual.length && expected[i] === actual[j]) {
      i++;
      j++;
    } else if (
      i < expected.length &&
      (j === actual.length || common[(i + 1) * cols + j] >= common[i * cols + j + 1])
    ) {
      found.push(`${labels.removed} ${i + 1}: ${JSON.stringify(expected[i++])}`);
    } else {
      found.push(`${labels.added} ${JSON.stringify(actual[j++])}`);
    }
  }
  return found;
}
