import { createRoot } from 'react-dom/client';
import { App } from './app';
// GraphiQL's styles (fonts inlined) load with the page, so the lazily loaded explorer needs no CSS of its own.
import 'graphiql/style.css';
import './styles.css';

createRoot(document.getElementById('root')!).render(<App />);
