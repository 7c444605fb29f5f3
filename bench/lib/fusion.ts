/** Min-max normalised weighted score fusion of several rankings (missing scores count as 0). */
export function fuseScores(rankings: Array<{ weight: number; hits: Array<{ index: number; score: number }> }>): Array<{ index: number; score: number }> {
  const out = new Map<number, number>();
  for (const { weight, hits } of rankings) {
    if (!hits.length || weight === 0) continue;
    const max = hits[0]!.score;
    const min = hits[hits.length - 1]!.score;
    const span = max - min || 1;
    for (const h of hits) out.set(h.index, (out.get(h.index) ?? 0) + (weight * (h.score - min)) / span);
  }
  return [...out].map(([index, score]) => ({ index, score })).sort((a, b) => b.score - a.score || a.index - b.index);
}
