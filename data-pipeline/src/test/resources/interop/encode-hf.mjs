// Encodes texts with Hugging Face's own tokenizer code (@huggingface/tokenizers, the tokenizer of transformers.js)
// from our tokenizer.json, and prints the ids as JSON. Usage: node encode-hf.mjs TOKENIZER_JSON TEXTS_JSON
// [TOKENIZER_CONFIG_JSON]; TEXTS_JSON holds a JSON array of strings.
import { readFileSync } from 'node:fs'
import { Tokenizer } from '@huggingface/tokenizers'

const [tokPath, textsPath, configPath] = process.argv.slice(2)
const tokenizerJson = JSON.parse(readFileSync(tokPath, 'utf8'))
const config = configPath ? JSON.parse(readFileSync(configPath, 'utf8')) : {}
const tokenizer = new Tokenizer(tokenizerJson, config)
const texts = JSON.parse(readFileSync(textsPath, 'utf8'))
const ids = texts.map(t => tokenizer.encode(t, { add_special_tokens: false }).ids)
// (its decode refuses an empty list: the empty text's ids decode to the empty string)
const decoded = ids.map(i => i.length === 0 ? ''
  : tokenizer.decode(i, { skip_special_tokens: false, clean_up_tokenization_spaces: false }))
process.stdout.write(JSON.stringify({ ids, decoded }))
