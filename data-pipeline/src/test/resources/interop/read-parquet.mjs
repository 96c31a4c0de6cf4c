// Reads Parquet files with hyparquet (not our code, not Spark's) and prints, as JSON, each file's schema
// (physical type, converted and logical type per column) and its rows. Usage: node read-parquet.mjs FILE...
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet'

const out = []
for (const f of process.argv.slice(2)) {
  const file = await asyncBufferFromFile(f)
  const meta = await parquetMetadataAsync(file)
  const schema = meta.schema.map(s => ({
    name: s.name, type: s.type ?? null, converted_type: s.converted_type ?? null,
    logical_type: s.logical_type ?? null,
  }))
  const rows = await parquetReadObjects({ file })
  out.push({ file: f, num_rows: Number(meta.num_rows), schema, rows })
}
process.stdout.write(JSON.stringify(out, (k, v) => typeof v === 'bigint' ? v.toString()
  : v instanceof Date ? v.toISOString() : v))
