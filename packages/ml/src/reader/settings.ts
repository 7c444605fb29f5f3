/** Passages the extractive reader reads per question (retrieved by the serving index, best first). */
export const QA_PASSAGES = 5;
