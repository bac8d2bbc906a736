// Code the demo's synthetic users complete and then refine: per language, a completion as proposed
// and as the user left it a minute later (small, realistic edits: a rename, an added check or line).

export interface Template {
  prefix: string;
  proposal: string;
  final: string;
  suffix: string;
}

export const TEMPLATES: Record<string, Template[]> = {
  python: [
    {
      prefix: "import json\n\n\ndef load_settings(path):\n",
      proposal: "    with open(path) as f:\n        data = json.load(f)\n    return data\n",
      final: '    with open(path, encoding="utf-8") as f:\n        settings = json.load(f)\n    return settings\n',
      suffix: '\n\ndef main():\n    settings = load_settings("app.json")\n',
    },
    {
      prefix: 'import requests\n\nAPI_URL = "https://api.example.com"\n\n\ndef fetch_user(user_id):\n',
      proposal: '    response = requests.get(f"{API_URL}/users/{user_id}")\n    return response.json()\n',
      final:
        '    response = requests.get(f"{API_URL}/users/{user_id}", timeout=10)\n' +
        "    response.raise_for_status()\n" +
        "    return response.json()\n",
      suffix: "\n\ndef fetch_team(team_id):\n",
    },
    {
      prefix: "def total_price(items):\n",
      proposal: "    total = 0\n    for i in range(len(items)):\n        total += items[i].price\n    return total\n",
      final: "    total = 0\n    for item in items:\n        total += item.price * item.quantity\n    return total\n",
      suffix: "\n\ndef apply_discount(total, code):\n",
    },
  ],
  typescript: [
    {
      prefix: "export async function getProject(id: string): Promise<Project> {\n",
      proposal: "  const res = await fetch(`/api/projects/${id}`);\n  return res.json();\n",
      final:
        "  const res = await fetch(`/api/projects/${id}`);\n" +
        "  if (!res.ok) throw new Error(`Failed to load project ${id}: ${res.status}`);\n" +
        "  return (await res.json()) as Project;\n",
      suffix: "}\n\nexport async function listProjects(): Promise<Project[]> {\n",
    },
    {
      prefix: "function countActive(users: User[]): number {\n",
      proposal: "  const data = users.filter((u) => u.active);\n  return data.length;\n",
      final: "  const activeUsers = users.filter((user) => user.active && !user.deletedAt);\n  return activeUsers.length;\n",
      suffix: "}\n",
    },
    {
      prefix: 'export function formatPrice(cents: number, currency = "EUR") {\n',
      proposal: '  return (cents / 100).toFixed(2) + " " + currency;\n',
      final: '  return new Intl.NumberFormat("en", { style: "currency", currency }).format(cents / 100);\n',
      suffix: "}\n",
    },
  ],
  go: [
    {
      prefix: "func LoadConfig(path string) (*Config, error) {\n\tbuf, err := os.ReadFile(path)\n",
      proposal: "\tif err != nil {\n\t\treturn nil, err\n\t}\n",
      final: '\tif err != nil {\n\t\treturn nil, fmt.Errorf("read config %s: %w", path, err)\n\t}\n',
      suffix: "\tvar cfg Config\n\treturn &cfg, json.Unmarshal(buf, &cfg)\n}\n",
    },
    {
      prefix: "func CountLines(path string) (int, error) {\n",
      proposal: "\tf, err := os.Open(path)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tscanner := bufio.NewScanner(f)\n",
      final: "\tf, err := os.Open(path)\n\tif err != nil {\n\t\treturn 0, err\n\t}\n\tdefer f.Close()\n\tscanner := bufio.NewScanner(f)\n",
      suffix: "\tn := 0\n\tfor scanner.Scan() {\n\t\tn++\n\t}\n\treturn n, scanner.Err()\n}\n",
    },
  ],
  java: [
    {
      prefix: "public List<String> activeNames(List<User> users) {\n",
      proposal:
        "    List<String> result = new ArrayList<>();\n" +
        "    for (User u : users) {\n" +
        "        result.add(u.getName());\n" +
        "    }\n" +
        "    return result;\n",
      final:
        "    List<String> names = new ArrayList<>();\n" +
        "    for (User user : users) {\n" +
        "        if (user.isActive()) {\n" +
        "            names.add(user.getName());\n" +
        "        }\n" +
        "    }\n" +
        "    return names;\n",
      suffix: "}\n",
    },
    {
      prefix: "public Order findOrder(long id) {\n",
      proposal: "    Order order = repository.findById(id);\n    return order;\n",
      final: '    return repository.findById(id)\n        .orElseThrow(() -> new NotFoundException("order " + id));\n',
      suffix: "}\n",
    },
  ],
  rust: [
    {
      prefix: "fn read_config(path: &Path) -> Result<Config, Error> {\n",
      proposal: "    let text = fs::read_to_string(path).unwrap();\n    let config = toml::from_str(&text).unwrap();\n    Ok(config)\n",
      final: "    let text = fs::read_to_string(path)?;\n    let config = toml::from_str(&text)?;\n    Ok(config)\n",
      suffix: "}\n",
    },
    {
      prefix: "fn mean(values: &[f64]) -> f64 {\n",
      proposal: "    let s: f64 = values.iter().sum();\n    s / values.len() as f64\n",
      final:
        "    if values.is_empty() {\n        return 0.0;\n    }\n" +
        "    let sum: f64 = values.iter().sum();\n    sum / values.len() as f64\n",
      suffix: "}\n",
    },
  ],
};

/** Characters of the proposal still in the final version (longest common subsequence). */
export function retainedCharacters(proposal: string, final: string): number {
  let previous = new Uint16Array(final.length + 1);
  let current = new Uint16Array(final.length + 1);
  for (let i = 1; i <= proposal.length; i++) {
    for (let j = 1; j <= final.length; j++) {
      current[j] = proposal[i - 1] === final[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[final.length];
}

/** Each template's retained characters, computed once. */
export const TEMPLATE_RETAINED = new Map(
  Object.values(TEMPLATES)
    .flat()
    .map((t) => [t, retainedCharacters(t.proposal, t.final)]),
);
