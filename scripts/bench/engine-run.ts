export async function measureEngine(_rows: number) {
  return { heapMb: 0, rssMb: 0, seconds: 0, baselineHeapMb: 0 };
}
